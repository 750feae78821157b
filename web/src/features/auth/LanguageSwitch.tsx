import { GlobalOutlined } from '@ant-design/icons';
import { Segmented } from 'antd';
import { type Locale, useI18n } from '@/i18n';
import { useChangeLocale } from './hooks';

export function LanguageSwitch({ size = 'middle' }: { size?: 'small' | 'middle' | 'large' }) {
  const { locale, t } = useI18n();
  const changeLocale = useChangeLocale();
  return (
    <Segmented<Locale>
      data-testid="lang-switch"
      aria-label={t('lang.label')}
      size={size}
      value={locale}
      onChange={(value) => void changeLocale(value)}
      options={[
        { value: 'zh-CN', label: <span data-testid="lang-zh-CN" title={t('lang.zh-CN')}><GlobalOutlined /> 中文</span> },
        { value: 'en-US', label: <span data-testid="lang-en-US" title={t('lang.en-US')}>EN</span> },
      ]}
    />
  );
}
