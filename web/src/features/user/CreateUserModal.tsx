import { App, Col, Form, Input, Modal, Row, Select } from 'antd';
import { useEffect } from 'react';
import type { User, UserCreate } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { OrgUnitTreeSelect } from '@/features/org/OrgUnitTreeSelect';
import { useI18n } from '@/i18n';
import { useCreateUser } from './hooks';

interface Values {
  username: string;
  display_name: string;
  email?: string;
  phone?: string;
  password: string;
  primary_unit_id: string;
  title?: string;
  locale: 'zh-CN' | 'en-US';
}

export function CreateUserModal({
  open,
  defaultUnitId,
  onClose,
  onCreated,
}: {
  open: boolean;
  defaultUnitId: string | null;
  onClose: () => void;
  onCreated: (user: User) => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const create = useCreateUser();

  useEffect(() => {
    if (!open) return;
    clearError();
    form.resetFields();
    form.setFieldsValue({ locale: 'zh-CN', ...(defaultUnitId ? { primary_unit_id: defaultUnitId } : {}) });
  }, [open, defaultUnitId, form, clearError]);

  const onOk = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    const body: UserCreate = {
      username: v.username.trim(),
      display_name: v.display_name.trim(),
      password: v.password,
      primary_unit_id: v.primary_unit_id,
      locale: v.locale,
    };
    if (v.email?.trim()) body.email = v.email.trim();
    if (v.phone?.trim()) body.phone = v.phone.trim();
    if (v.title?.trim()) body.title = v.title.trim();
    try {
      const user = await create.mutateAsync(body);
      message.success(t('common.created'));
      onCreated(user);
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('user.createTitle')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      width={640}
      forceRender
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="user-create" requiredMark="optional" autoComplete="off">
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="username" label={t('user.username')} rules={[{ required: true, whitespace: true, message: t('user.usernameRequired') }]}>
              <Input maxLength={64} autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="display_name" label={t('user.displayName')} rules={[{ required: true, whitespace: true, message: t('user.displayNameRequired') }]}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="email" label={t('user.email')}>
              <Input type="email" maxLength={254} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="phone" label={t('user.phone')}>
              <Input maxLength={32} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="primary_unit_id" label={t('user.primaryUnit')} rules={[{ required: true, message: t('user.primaryUnitRequired') }]}>
              <OrgUnitTreeSelect style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="title" label={t('user.jobTitle')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="locale" label={t('user.locale')}>
              <Select options={[{ value: 'zh-CN', label: t('lang.zh-CN') }, { value: 'en-US', label: t('lang.en-US') }]} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="password"
              label={t('user.password')}
              extra={t('user.passwordHint')}
              rules={[{ required: true, message: t('user.passwordRequired') }]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
