import { Form, Input, Modal } from 'antd';
import { useEffect } from 'react';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useI18n } from '@/i18n';
import { tid } from '../common';

/** A confirmation that needs a reason (void an invoice, reverse a payment); the server's refusal shows inside. */
export function ReasonModal({
  open,
  title,
  okText,
  onSubmit,
  onClose,
  testId,
}: {
  open: boolean;
  title: string;
  okText: string;
  onSubmit: (reason: string) => Promise<unknown>;
  onClose: () => void;
  testId: string;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  useEffect(() => {
    if (open) {
      clearError();
      form.resetFields();
    }
  }, [open]);
  const onOk = async () => {
    let v: { reason: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    try {
      await onSubmit(v.reason.trim());
      onClose();
    } catch (error) {
      handleError(error);
    }
  };
  return (
    <Modal open={open} title={title} onCancel={onClose} onOk={() => void onOk()} okText={okText} cancelText={t('common.cancel')} okButtonProps={{ danger: true, ...tid(testId) }} forceRender>
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name={`${testId}-form`}>
        <Form.Item name="reason" label={t('ltc.reason')} rules={[{ required: true, whitespace: true, message: t('ltc.reasonRequired') }]}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
